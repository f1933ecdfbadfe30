"""Provider onboarding: the joining application, its review, provider status and public profiles."""

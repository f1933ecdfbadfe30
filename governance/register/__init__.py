"""The public decision register: decisions whose minutes are approved."""

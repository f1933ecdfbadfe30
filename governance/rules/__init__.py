"""The rules of the ecosystem: versions, consultation, adoption, entry into force and acceptance."""

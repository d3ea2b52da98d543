"""Posted-price orders."""

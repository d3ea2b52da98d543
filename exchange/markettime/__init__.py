"""Market time (沙盒时钟): the sandbox's clock that admins move forward, and the due work that
happens as it passes (publicity ends, auctions close, licences and mandates expire)."""

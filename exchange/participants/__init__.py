"""Participants (参与者), API keys, cash accounts and the ledger."""

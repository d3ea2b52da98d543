"""Shared mechanics every domain uses: paging, bounded parameters and fields (money, market time),
compare-and-set transitions, role aliases, caches.

The kit sits between the core and the domains: it imports the core and the vocabulary, and
nothing of any domain.
"""

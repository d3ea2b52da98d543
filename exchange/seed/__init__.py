"""Seeding and synthetic data (种子数据): the demo market, the province-scale catalog generator
and its loader, the certificate pilot. An application on top of the domains: it calls their
services, never their tables."""

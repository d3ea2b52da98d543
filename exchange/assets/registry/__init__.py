"""The register (数据资产登记): assets, applications, and the service trading calls."""

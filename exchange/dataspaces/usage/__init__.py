"""Who used my data (数据使用记录): the audit entries about a data subject's records."""

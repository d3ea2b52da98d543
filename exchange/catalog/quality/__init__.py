"""Quality checks (数据质量检测), quality reports and desensitized samples."""

"""Data-space records (数字空间记录): what catalog sources hold about a data subject."""

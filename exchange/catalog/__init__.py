"""The public-data catalog (公共数据资源目录): 一数一源一标准."""

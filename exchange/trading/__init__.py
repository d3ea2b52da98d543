"""Trading (数据交易) on the Guangzhou and Shenzhen data exchanges."""

"""Sandbox of Guangdong's data-element market (广东数据要素市场沙盒)."""

__version__ = "0.1.0"

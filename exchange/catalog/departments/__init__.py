"""Divisions (行政区划) and responsible departments (数据责任部门)."""

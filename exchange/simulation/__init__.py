"""Market simulations for course instructors (市场仿真): scenarios, reproducible runs, reports."""

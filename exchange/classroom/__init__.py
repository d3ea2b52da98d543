"""Live classes (课堂实验): instructors run a scenario with students trading beside bots."""

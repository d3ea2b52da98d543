"""The departments' revenue share (收益分成), paid when a derived product's trade settles."""

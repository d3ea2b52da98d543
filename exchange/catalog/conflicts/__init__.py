"""Source conflicts: refused second sources (一数一源), escalated and decided."""

"""Publishing the open items: the open list (开放清单) and the DCAT-AP export."""

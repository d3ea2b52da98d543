"""The web console (控制台): the market, the regulator's desk and the classroom in a browser."""

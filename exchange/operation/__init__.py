"""Authorized operation of public data (公共数据授权运营): operating agreements, the grants they
give to derive products from public data that is not unconditionally open, and the revenue
share paid to the departments when such products sell."""

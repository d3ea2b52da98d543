"""Operating agreements (授权运营协议): proposed by an operator, approved by the data authority."""

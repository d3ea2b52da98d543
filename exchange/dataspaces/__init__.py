"""Personal and legal-person data spaces (个人和法人数字空间) and trusted authorized access
(可信授权访问): the records catalog sources hold about a person or a company, the consents
(授权) it grants over them, reads under a consent, and who used its data."""

"""gendan_xl (跟单助手): order follow-up ledgers in Excel, checked, planned and printed."""

__version__ = "0.1.0"

"""The 台账 pack: a branch's records for a period, as a printable page and a .docx."""

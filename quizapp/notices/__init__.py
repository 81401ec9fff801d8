"""Notices (通知): messages for one member, shown on the home page until read."""

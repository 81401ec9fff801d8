"""Member accounts, their branch history and roster imports."""

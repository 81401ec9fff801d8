"""Error reports (题目有误): members report a question, organisers resolve or dismiss."""

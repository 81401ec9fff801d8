"""The organisers' front page (/manage/): their subtree at a glance."""

// placeholder, written in this session (issue 13)

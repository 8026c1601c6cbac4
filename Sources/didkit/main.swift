print("didkit")

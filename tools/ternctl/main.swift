print("ternctl")

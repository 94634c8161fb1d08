package ciphers

// The Serpent S-boxes S0..S7 and their inverses in bitsliced form: bit j of
// x0..x3 is one 4-bit S-box input (x0 least significant), bit j of y0..y3 its
// output. Each output bit is written in algebraic normal form (XOR of AND
// terms of the input bits) derived from the tables serpentSBox in serpent.go;
// TestSerpentSBoxBitsliced checks every input of every box against them.

func serpentS0(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x012 := x01 & x2
	x023 := x02 & x3
	x123 := x12 & x3
	y0 = ^(x0 ^ x01 ^ x2 ^ x02 ^ x12 ^ x012 ^ x3 ^ x023 ^ x123)
	y1 = ^(x0 ^ x02 ^ x12 ^ x012 ^ x13 ^ x023 ^ x123)
	y2 = x1 ^ x01 ^ x02 ^ x012 ^ x3 ^ x13 ^ x123
	y3 = x0 ^ x1 ^ x2 ^ x3 ^ x03
	return
}

func serpentS1(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x23 := x2 & x3
	x013 := x01 & x3
	x023 := x02 & x3
	x123 := x12 & x3
	y0 = ^(x0 ^ x1 ^ x12 ^ x03 ^ x23 ^ x023 ^ x123)
	y1 = ^(x0 ^ x01 ^ x2 ^ x02 ^ x3 ^ x13 ^ x013 ^ x023 ^ x123)
	y2 = ^(x1 ^ x01 ^ x2 ^ x3)
	y3 = ^(x1 ^ x02 ^ x3 ^ x03 ^ x013 ^ x023 ^ x123)
	return
}

func serpentS2(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x23 := x2 & x3
	x012 := x01 & x2
	x013 := x01 & x3
	x023 := x02 & x3
	y0 = x1 ^ x2 ^ x02 ^ x3
	y1 = x0 ^ x1 ^ x2 ^ x12 ^ x012 ^ x03 ^ x013 ^ x23 ^ x023
	y2 = x0 ^ x1 ^ x12 ^ x3 ^ x13 ^ x013 ^ x23 ^ x023
	y3 = ^(x0 ^ x1 ^ x2 ^ x012 ^ x13)
	return
}

func serpentS3(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x23 := x2 & x3
	x012 := x01 & x2
	x013 := x01 & x3
	x023 := x02 & x3
	x123 := x12 & x3
	y0 = x0 ^ x1 ^ x12 ^ x3 ^ x03 ^ x23 ^ x023 ^ x123
	y1 = x0 ^ x1 ^ x02 ^ x03 ^ x013 ^ x23 ^ x023
	y2 = x0 ^ x01 ^ x2 ^ x012 ^ x3 ^ x13 ^ x013
	y3 = x0 ^ x1 ^ x01 ^ x2 ^ x02 ^ x012 ^ x3 ^ x23 ^ x023
	return
}

func serpentS4(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x23 := x2 & x3
	x012 := x01 & x2
	x013 := x01 & x3
	x023 := x02 & x3
	x123 := x12 & x3
	y0 = ^(x1 ^ x01 ^ x2 ^ x3 ^ x03 ^ x13)
	y1 = x0 ^ x02 ^ x12 ^ x3 ^ x13 ^ x23 ^ x023 ^ x123
	y2 = x0 ^ x01 ^ x2 ^ x12 ^ x012 ^ x13 ^ x013 ^ x23 ^ x123
	y3 = x0 ^ x1 ^ x2 ^ x12 ^ x03 ^ x13 ^ x013
	return
}

func serpentS5(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x23 := x2 & x3
	x012 := x01 & x2
	x013 := x01 & x3
	x023 := x02 & x3
	x123 := x12 & x3
	y0 = ^(x1 ^ x01 ^ x2 ^ x3 ^ x03 ^ x13)
	y1 = ^(x0 ^ x01 ^ x2 ^ x3 ^ x13 ^ x013 ^ x23)
	y2 = ^(x1 ^ x02 ^ x3 ^ x013 ^ x23 ^ x023 ^ x123)
	y3 = ^(x0 ^ x1 ^ x2 ^ x012 ^ x3 ^ x03 ^ x023)
	return
}

func serpentS6(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x23 := x2 & x3
	x012 := x01 & x2
	x013 := x01 & x3
	x123 := x12 & x3
	y0 = ^(x0 ^ x1 ^ x2 ^ x02 ^ x12 ^ x012 ^ x3 ^ x013 ^ x123)
	y1 = ^(x1 ^ x2 ^ x03)
	y2 = ^(x0 ^ x01 ^ x2 ^ x12 ^ x012 ^ x13 ^ x013 ^ x23 ^ x123)
	y3 = x1 ^ x01 ^ x2 ^ x02 ^ x012 ^ x3 ^ x23 ^ x123
	return
}

func serpentS7(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x23 := x2 & x3
	x012 := x01 & x2
	x013 := x01 & x3
	x023 := x02 & x3
	x123 := x12 & x3
	y0 = ^(x01 ^ x2 ^ x03 ^ x13 ^ x23 ^ x023 ^ x123)
	y1 = x1 ^ x01 ^ x2 ^ x02 ^ x12 ^ x3 ^ x03 ^ x013 ^ x023
	y2 = x0 ^ x1 ^ x2 ^ x012 ^ x3 ^ x03 ^ x13 ^ x013 ^ x123
	y3 = x0 ^ x1 ^ x2 ^ x02 ^ x012 ^ x03
	return
}

func serpentSInv0(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x23 := x2 & x3
	x013 := x01 & x3
	x023 := x02 & x3
	x123 := x12 & x3
	y0 = ^(x01 ^ x2 ^ x12 ^ x03 ^ x13 ^ x013 ^ x23 ^ x023 ^ x123)
	y1 = x0 ^ x1 ^ x2 ^ x02 ^ x13 ^ x023 ^ x123
	y2 = ^(x0 ^ x1 ^ x01 ^ x2 ^ x3)
	y3 = ^(x0 ^ x12 ^ x3 ^ x013 ^ x23 ^ x023 ^ x123)
	return
}

func serpentSInv1(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x012 := x01 & x2
	x023 := x02 & x3
	x123 := x12 & x3
	y0 = ^(x0 ^ x1 ^ x01 ^ x012 ^ x13 ^ x023 ^ x123)
	y1 = x1 ^ x2 ^ x012 ^ x3 ^ x03 ^ x13 ^ x023 ^ x123
	y2 = ^(x0 ^ x1 ^ x02 ^ x12 ^ x012 ^ x3 ^ x023)
	y3 = x0 ^ x2 ^ x3 ^ x13
	return
}

func serpentSInv2(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x23 := x2 & x3
	x012 := x01 & x2
	x013 := x01 & x3
	x023 := x02 & x3
	y0 = x0 ^ x1 ^ x2 ^ x12 ^ x13
	y1 = x1 ^ x01 ^ x2 ^ x03 ^ x013 ^ x23 ^ x023
	y2 = ^(x0 ^ x01 ^ x2 ^ x3 ^ x03 ^ x13 ^ x013 ^ x023)
	y3 = ^(x01 ^ x12 ^ x012 ^ x3 ^ x023)
	return
}

func serpentSInv3(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x23 := x2 & x3
	x012 := x01 & x2
	x013 := x01 & x3
	x023 := x02 & x3
	x123 := x12 & x3
	y0 = x0 ^ x2 ^ x12 ^ x3 ^ x03 ^ x13 ^ x123
	y1 = x1 ^ x2 ^ x12 ^ x012 ^ x3 ^ x03 ^ x023 ^ x123
	y2 = x01 ^ x02 ^ x12 ^ x03 ^ x13 ^ x013 ^ x23 ^ x023
	y3 = x0 ^ x1 ^ x2 ^ x02 ^ x012 ^ x03 ^ x013 ^ x23
	return
}

func serpentSInv4(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x23 := x2 & x3
	x012 := x01 & x2
	x013 := x01 & x3
	x023 := x02 & x3
	y0 = ^(x0 ^ x1 ^ x2 ^ x3 ^ x03 ^ x013 ^ x23 ^ x023)
	y1 = x01 ^ x2 ^ x02 ^ x3 ^ x03 ^ x023
	y2 = ^(x0 ^ x1 ^ x01 ^ x2 ^ x02 ^ x012 ^ x3 ^ x13 ^ x013)
	y3 = x1 ^ x01 ^ x2 ^ x03 ^ x013 ^ x23
	return
}

func serpentSInv5(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x012 := x01 & x2
	x013 := x01 & x3
	x023 := x02 & x3
	y0 = x0 ^ x12 ^ x3 ^ x013
	y1 = x0 ^ x1 ^ x02 ^ x12 ^ x012 ^ x3 ^ x03 ^ x013
	y2 = x0 ^ x01 ^ x2 ^ x13 ^ x013 ^ x023
	y3 = ^(x1 ^ x01 ^ x2 ^ x012 ^ x03)
	return
}

func serpentSInv6(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x23 := x2 & x3
	x012 := x01 & x2
	x013 := x01 & x3
	x123 := x12 & x3
	y0 = ^(x0 ^ x01 ^ x02 ^ x12 ^ x012 ^ x3 ^ x013 ^ x123)
	y1 = ^(x1 ^ x2 ^ x02 ^ x3)
	y2 = ^(x0 ^ x1 ^ x12 ^ x13 ^ x013 ^ x23 ^ x123)
	y3 = ^(x1 ^ x01 ^ x2 ^ x12 ^ x012 ^ x3 ^ x03 ^ x013 ^ x23 ^ x123)
	return
}

func serpentSInv7(x0, x1, x2, x3 uint32) (y0, y1, y2, y3 uint32) {
	x01 := x0 & x1
	x02 := x0 & x2
	x12 := x1 & x2
	x03 := x0 & x3
	x13 := x1 & x3
	x23 := x2 & x3
	x012 := x01 & x2
	x013 := x01 & x3
	x023 := x02 & x3
	x123 := x12 & x3
	y0 = ^(x0 ^ x1 ^ x12 ^ x13 ^ x013 ^ x23 ^ x123)
	y1 = ^(x0 ^ x2 ^ x12 ^ x3 ^ x03 ^ x13 ^ x023 ^ x123)
	y2 = x1 ^ x02 ^ x3 ^ x013 ^ x23 ^ x023
	y3 = x01 ^ x2 ^ x012 ^ x03 ^ x13 ^ x013
	return
}

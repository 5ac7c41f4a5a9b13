#include "textflag.h"

// func Prefetch(p unsafe.Pointer, offs []uintptr)
TEXT ·Prefetch(SB), NOSPLIT, $0-32
	MOVD	p+0(FP), R0
	MOVD	offs_base+8(FP), R1
	MOVD	offs_len+16(FP), R2
	CBZ	R2, done
loop:
	MOVD	(R1), R3
	ADD	R0, R3, R3
	PRFM	(R3), PLDL1KEEP
	ADD	$8, R1, R1
	SUB	$1, R2, R2
	CBNZ	R2, loop
done:
	RET

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

// func Runs(p unsafe.Pointer, runs []Run)
TEXT ·Runs(SB), NOSPLIT, $0-32
	MOVD	p+0(FP), R0
	MOVD	runs_base+8(FP), R1
	MOVD	runs_len+16(FP), R2
	CBZ	R2, rdone
run:
	MOVD	0(R1), R3	// Off
	MOVD	8(R1), R4	// Len
	CBZ	R4, rnext
	ADD	R0, R3, R3	// the run's first byte
	ADD	R3, R4, R4
	SUB	$1, R4, R4	// its last byte
	AND	$~63, R3, R3	// its first line
line:
	PRFM	(R3), PLDL1KEEP
	ADD	$64, R3, R3
	CMP	R4, R3
	BLS	line		// while the line starts at or before the last byte
rnext:
	ADD	$16, R1, R1
	SUB	$1, R2, R2
	CBNZ	R2, run
rdone:
	RET

// func At2(p0, p1 uintptr)
TEXT ·At2(SB), NOSPLIT, $0-16
	MOVD	p0+0(FP), R0
	MOVD	p1+8(FP), R1
	PRFM	(R0), PLDL1KEEP
	PRFM	(R1), PLDL1KEEP
	RET

// func At4(p0, p1, p2, p3 uintptr)
TEXT ·At4(SB), NOSPLIT, $0-32
	MOVD	p0+0(FP), R0
	MOVD	p1+8(FP), R1
	MOVD	p2+16(FP), R2
	MOVD	p3+24(FP), R3
	PRFM	(R0), PLDL1KEEP
	PRFM	(R1), PLDL1KEEP
	PRFM	(R2), PLDL1KEEP
	PRFM	(R3), PLDL1KEEP
	RET

// func At8(p0, p1, p2, p3, p4, p5, p6, p7 uintptr)
TEXT ·At8(SB), NOSPLIT, $0-64
	MOVD	p0+0(FP), R0
	MOVD	p1+8(FP), R1
	MOVD	p2+16(FP), R2
	MOVD	p3+24(FP), R3
	MOVD	p4+32(FP), R4
	MOVD	p5+40(FP), R5
	MOVD	p6+48(FP), R6
	MOVD	p7+56(FP), R7
	PRFM	(R0), PLDL1KEEP
	PRFM	(R1), PLDL1KEEP
	PRFM	(R2), PLDL1KEEP
	PRFM	(R3), PLDL1KEEP
	PRFM	(R4), PLDL1KEEP
	PRFM	(R5), PLDL1KEEP
	PRFM	(R6), PLDL1KEEP
	PRFM	(R7), PLDL1KEEP
	RET

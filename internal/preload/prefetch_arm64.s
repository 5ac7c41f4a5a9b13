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

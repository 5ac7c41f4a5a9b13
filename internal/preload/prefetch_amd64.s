#include "textflag.h"

// func Prefetch(p unsafe.Pointer, offs []uintptr)
TEXT ·Prefetch(SB), NOSPLIT, $0-32
	MOVQ	p+0(FP), AX
	MOVQ	offs_base+8(FP), BX
	MOVQ	offs_len+16(FP), CX
	TESTQ	CX, CX
	JEQ	done
loop:
	MOVQ	(BX), DX
	PREFETCHT0	(AX)(DX*1)
	ADDQ	$8, BX
	DECQ	CX
	JNE	loop
done:
	RET

// func Runs(p unsafe.Pointer, runs []Run)
TEXT ·Runs(SB), NOSPLIT, $0-32
	MOVQ	p+0(FP), AX
	MOVQ	runs_base+8(FP), BX
	MOVQ	runs_len+16(FP), CX
	TESTQ	CX, CX
	JEQ	rdone
run:
	MOVQ	0(BX), DX		// Off
	MOVQ	8(BX), SI		// Len
	TESTQ	SI, SI
	JEQ	rnext
	ADDQ	AX, DX			// the run's first byte
	LEAQ	-1(DX)(SI*1), SI	// its last byte
	ANDQ	$~63, DX		// its first line
line:
	PREFETCHT0	(DX)
	ADDQ	$64, DX
	CMPQ	DX, SI
	JLS	line			// while the line starts at or before the last byte
rnext:
	ADDQ	$16, BX
	DECQ	CX
	JNE	run
rdone:
	RET

// func At2(p0, p1 uintptr)
TEXT ·At2(SB), NOSPLIT, $0-16
	MOVQ	p0+0(FP), AX
	MOVQ	p1+8(FP), BX
	PREFETCHT0	(AX)
	PREFETCHT0	(BX)
	RET

// func At4(p0, p1, p2, p3 uintptr)
TEXT ·At4(SB), NOSPLIT, $0-32
	MOVQ	p0+0(FP), AX
	MOVQ	p1+8(FP), BX
	MOVQ	p2+16(FP), CX
	MOVQ	p3+24(FP), DX
	PREFETCHT0	(AX)
	PREFETCHT0	(BX)
	PREFETCHT0	(CX)
	PREFETCHT0	(DX)
	RET

// func At8(p0, p1, p2, p3, p4, p5, p6, p7 uintptr)
TEXT ·At8(SB), NOSPLIT, $0-64
	MOVQ	p0+0(FP), AX
	MOVQ	p1+8(FP), BX
	MOVQ	p2+16(FP), CX
	MOVQ	p3+24(FP), DX
	PREFETCHT0	(AX)
	PREFETCHT0	(BX)
	PREFETCHT0	(CX)
	PREFETCHT0	(DX)
	MOVQ	p4+32(FP), AX
	MOVQ	p5+40(FP), BX
	MOVQ	p6+48(FP), CX
	MOVQ	p7+56(FP), DX
	PREFETCHT0	(AX)
	PREFETCHT0	(BX)
	PREFETCHT0	(CX)
	PREFETCHT0	(DX)
	RET

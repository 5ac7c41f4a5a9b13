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

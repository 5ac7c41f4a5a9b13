package metrics

// The queues of the groups of a store share memory. A world publishes the
// minute of thousands of services one after the other, each into its own
// group, and an alarm pass reads them back in the same order; with a ring
// of its own, each group's newest rows are on a page of their own, and
// every group costs a minute's pass a page (a TLB entry) and lines it
// only partly uses. So the rings of groups of one shape (capacity and width) are
// laid out as lanes of a block, interleaved row by row: row j of every
// lane, then row j+1 of every lane. Groups made or grown one after the
// other take neighbouring lanes, so a pass over them reads and writes the
// same rows of neighbouring lanes: a few pages for dozens of groups, and
// consecutive lines (see BENCHMARKS.md, issue 13, round 13). Which lane a group has changes
// nothing it stores or answers.

// ringStripe is the most bytes one row of every lane of a block takes:
// a page. A block of rows of w words has up to ringStripe/(8w) lanes
// (rows wider than half a page have a block each).
const ringStripe = 4096

// ringShape is what a group's ring is: its capacity in rows and its
// rows' width in words.
type ringShape struct{ size, width int }

// ringBlock is the memory of the rings of up to lanes groups of one
// shape: lane k's row j is the width words from (j·lanes + k)·width on.
// A group takes the next lane of the store's open block of its shape
// (lanes are never handed out twice) and leaves its lane when it grows;
// the block is live while a group holds one of its lanes or it is open.
type ringBlock struct {
	words []uint64
	lanes int // how many rings it holds
	taken int // lanes handed out, in order
	held  int // lanes whose group has not left them
	open  bool
	index int // in the store's blocks
}

// ring returns a lane of size rows of width words, and its stride (the
// words from a row of the lane to the next). The first block of a shape
// has one lane and each next one twice as many as the last, up to a
// page's worth, so that a store with a few groups of a shape keeps at
// most about as many lanes spare as it uses.
func (s *Store) ring(size, width int) (*ringBlock, []uint64, int) {
	if s.open == nil {
		s.open = make(map[ringShape]*ringBlock)
	}
	shape := ringShape{size, width}
	b := s.open[shape]
	if b == nil || b.taken == b.lanes {
		lanes := 1
		if b != nil {
			lanes = min(2*b.lanes, max(1, ringStripe/(8*width)))
			b.open = false
			s.release(b)
		}
		b = &ringBlock{words: make([]uint64, size*width*lanes), lanes: lanes, open: true, index: len(s.blocks)}
		s.blocks = append(s.blocks, b)
		s.open[shape] = b
	}
	k := b.taken
	b.taken++
	b.held++
	stride := width * b.lanes
	lo, hi := k*width, (size-1)*stride+k*width+width
	return b, b.words[lo:hi:hi], stride
}

// release drops b from the store's live blocks once no group holds one of
// its lanes and no group will take one (it is not open).
func (s *Store) release(b *ringBlock) {
	if b.held > 0 || b.open {
		return
	}
	last := s.blocks[len(s.blocks)-1]
	s.blocks[b.index], last.index = last, b.index
	s.blocks[len(s.blocks)-1] = nil
	s.blocks = s.blocks[:len(s.blocks)-1]
}

// setRing moves g onto a lane of size rows, its queued rows copied in
// oldest first (row first at the lane's head), and leaves the lane it had.
func (g *Group) setRing(size int) {
	s, old := g.store, g.block
	b, rows, stride := s.ring(size, g.width)
	for k := g.first; k < g.next; k++ {
		p := (k - g.first) * stride
		copy(rows[p:p+g.width], g.row(k))
	}
	if old != nil {
		old.held--
		s.release(old)
	}
	g.block, g.rows, g.stride, g.size, g.head = b, rows, stride, size, 0
}

// blockBytes returns the heap the store's live blocks take, whole: the
// lanes groups hold, those left spare in open blocks, and those groups
// left when they grew while other lanes of their block are held.
func (s *Store) blockBytes() int {
	n := 0
	for _, b := range s.blocks {
		n += 8 * cap(b.words)
	}
	return n
}

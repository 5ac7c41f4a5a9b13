package placement

import (
	"slices"
	"time"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Built-in attribute names that ECS sets on every container instance.
const (
	AttrAvailabilityZone = "ecs.availability-zone"
	AttrInstanceType     = "ecs.instance-type"
	AttrOSType           = "ecs.os-type"
	AttrOSFamily         = "ecs.os-family"
	AttrCPUArchitecture  = "ecs.cpu-architecture"
	AttrAMIID            = "ecs.ami-id"
	AttrVPCID            = "ecs.vpc-id"
	AttrSubnetID         = "ecs.subnet-id"
)

// MaxReservedPorts is the ECS limit of reserved host ports per container
// instance ("the maximum allowed reserved port limit of 100 host ports",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-event-messages.html).
const MaxReservedPorts = 100

// Capacity limits that keep every free-resource value in an int32 and the
// index small. They are far above any EC2 instance type.
const (
	MaxInstanceCPU    = 1 << 20 // CPU units (1024 vCPU)
	MaxInstanceMemory = 1 << 24 // MiB (16 TiB)
	MaxInstanceENIs   = 1 << 12
)

// InstanceID identifies a registered container instance. IDs are dense:
// Register returns 0, 1, 2, ... in order and never reuses one, so a caller
// can keep its own per-instance data in a slice indexed by InstanceID.
type InstanceID int32

// NoInstance is the InstanceID of "no instance".
const NoInstance InstanceID = -1

// GroupID identifies a task group ("service:web", "family:batch"), interned
// by Cluster.Group. Spread and distinctInstance count tasks per group.
type GroupID int32

// Status is a container instance's status. Only ACTIVE instances receive
// tasks; a DRAINING instance keeps its tasks (and they still count for
// spread) until they are released.
type Status uint8

// Container instance statuses.
const (
	Active   Status = iota // ACTIVE: accepts new tasks
	Draining               // DRAINING: accepts none
	removed                // deregistered slot
)

// String returns the ECS spelling.
func (s Status) String() string {
	switch s {
	case Active:
		return "ACTIVE"
	case Draining:
		return "DRAINING"
	}
	return "DEREGISTERED"
}

// Instance describes a container instance at registration.
type Instance struct {
	// EC2InstanceID is the EC2 ID, e.g. "i-0abc"; required. It names the
	// instance in rejection messages and in ec2InstanceId expressions.
	EC2InstanceID string
	// InstanceType becomes attribute ecs.instance-type, e.g. "m5.large";
	// required.
	InstanceType string
	// Zone becomes attribute ecs.availability-zone, e.g. "us-east-1a";
	// required.
	Zone string
	// CPU is the registered CPU in CPU units (1024 per vCPU); must be > 0.
	CPU int
	// MemoryMiB is the registered memory in MiB; must be > 0.
	MemoryMiB int
	// ENIs is how many awsvpc tasks the instance can host (its ENI limit
	// minus the primary ENI, or the trunk limit); 0 means no awsvpc task fits.
	ENIs int
	// ReservedPorts are host ports already taken at registration (ECS
	// reserves 22, 2375, 2376, 51678 and 51679 by default); nil means none.
	// They count toward MaxReservedPorts.
	ReservedPorts []uint16
	// RegisteredAt is the registration instant, for registeredAt expressions;
	// the zero time is allowed.
	RegisteredAt time.Time
	// Attributes are further attributes: built-in ones such as ecs.os-type,
	// ecs.cpu-architecture and ecs.ami-id, and custom ones. Names and values
	// follow ECS's rules (1 to 128 characters of a restricted set; see
	// MaxAttributeLength); ecs.availability-zone and ecs.instance-type
	// come from Zone and InstanceType and may not appear here. Nil means none.
	Attributes map[string]string
}

// Validate returns every problem with the registration, joined; each is a
// *fielderr.Error naming the field (Instance.CPU, Instance.Attributes, ...)
// and matching ErrInvalidInstance. Zone and InstanceType become attribute
// values, so they follow ECS's attribute value rules (see
// MaxAttributeLength), as do Attributes' names and values.
func (in *Instance) Validate() error {
	l := fielderr.NewList(ErrInvalidInstance)
	if in.EC2InstanceID == "" {
		l.Add("Instance.EC2InstanceID", in.EC2InstanceID, "is required")
	}
	for _, f := range []struct{ field, v string }{{"Instance.InstanceType", in.InstanceType}, {"Instance.Zone", in.Zone}} {
		if f.v == "" {
			l.Add(f.field, f.v, "is required")
		} else if rule := attributeValueRule(f.v); rule != "" {
			l.Add(f.field, f.v, rule)
		}
	}
	if in.CPU <= 0 || in.CPU > MaxInstanceCPU {
		l.Addf("Instance.CPU", in.CPU, "must be 1 to %d CPU units", MaxInstanceCPU)
	}
	if in.MemoryMiB <= 0 || in.MemoryMiB > MaxInstanceMemory {
		l.Addf("Instance.MemoryMiB", in.MemoryMiB, "must be 1 to %d MiB", MaxInstanceMemory)
	}
	if in.ENIs < 0 || in.ENIs > MaxInstanceENIs {
		l.Addf("Instance.ENIs", in.ENIs, "must be 0 to %d", MaxInstanceENIs)
	}
	checkPorts(l, "Instance.ReservedPorts", in.ReservedPorts, MaxReservedPorts)
	for _, name := range sortedKeys(in.Attributes) {
		if name == AttrAvailabilityZone || name == AttrInstanceType {
			l.Add("Instance.Attributes", name, "is set by the Zone and InstanceType fields")
			continue
		}
		checkAttribute(l, "Instance.Attributes", name, in.Attributes[name], false)
	}
	return l.Err()
}

// checkPorts adds to l what is wrong with a list of host ports: more than
// limit, port 0 (dynamic port mapping, which reserves no host port), or a
// port listed twice.
func checkPorts(l *fielderr.List, field string, ports []uint16, limit int) {
	if len(ports) > limit {
		l.Addf(field, len(ports), "must list at most %d ports", limit)
	}
	if slices.Contains(ports, 0) {
		l.Add(field, 0, "ports must be 1 to 65535; host port 0 (dynamic mapping) reserves no port")
	}
	if dup := firstDuplicate(ports); dup >= 0 {
		l.Add(field, dup, "port is listed twice")
	}
}

func firstDuplicate(ports []uint16) int {
	for i, p := range ports {
		if slices.Contains(ports[:i], p) {
			return int(p)
		}
	}
	return -1
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// resources is an instance's free and registered capacity. These fields
// live together (two instances per cache line) rather than in separate
// arrays because every placement and release reads and writes all of them
// for one random instance; a separate array each would cost a cache miss
// each. Scans read them sequentially either way.
type resources struct {
	cpu, mem, eni          int32 // free CPU units, MiB, ENIs
	running                int32 // tasks placed and not released
	capCPU, capMem, capENI int32 // registered capacity
	status                 Status
	linked                 uint16 // links in Cluster.links: counted groups the instance runs
}

// attrColumn is one attribute name with its values interned: value ID 0
// means "the instance does not have this attribute".
type attrColumn struct {
	name   string
	values []string
	index  map[string]int32
	of     []int32 // per instance slot
}

func (a *attrColumn) intern(v string) int32 {
	if id, ok := a.index[v]; ok {
		return id
	}
	id := int32(len(a.values))
	a.values = append(a.values, v)
	a.index[v] = id
	return id
}

// Zone and instance type are always columns 0 and 1.
const (
	colZone         = 0
	colInstanceType = 1
)

// Cluster is the instance index and placement engine for one ECS cluster.
// It is not safe for concurrent use; a simulation owns one per cluster.
//
// Its state is struct-of-arrays indexed by InstanceID: free CPU, memory and
// ENIs, reserved ports, status, interned attributes, and per task group the
// number of tasks on each instance and in each attribute value. Segment trees
// over free memory and free CPU are built the first time a binpack plan
// needs them and maintained on every change after that.
//
// Memory: about 100 bytes per instance, plus per task group that has placed
// a task 4 bytes per 32 instances and 132 bytes per 32-instance page on
// which it runs a task (its counts and their bitmask: 5,000 services of a
// few tasks each on 5,000 instances cost about 10 MB; a group on more than
// half of the pages keeps them all, in slot order, about 4 bytes per
// instance as a plain array would), plus 1 to 3 MiB per
// capacity tree (one global tree per binpack resource in use, one per
// attribute value for spread-then-binpack and attribute-equality plans),
// plus, for each group placed under spread(instanceId) or
// distinctInstance, 4 bytes per 4,096 instances and about 16 bytes per
// instance that runs the group.
type Cluster struct {
	res          []resources
	ec2ID        []string
	registeredAt []time.Time
	ports        [][]uint16

	cols      []*attrColumn
	colIndex  map[string]int32
	attrGen   uint64 // bumps when an existing instance's attributes change
	activeIDs []int32
	activePos []int32

	groupNames []string
	groupIndex map[string]GroupID
	groupOn    []groupCounts // per group: tasks of the group per instance slot
	groupVal   [][][]int32   // [group][column][value] tasks of the group per attribute value, tracked columns only
	gidx       []*groupIndex // per group: the instances that run it, for distinctInstance and spread(instanceId); nil until used
	links      []slotLinks   // per slot: its entries in counted groups' buckets
	activeSet  bitset        // ACTIVE slots
	tracked    []bool        // per column: groupVal maintained
	trackedCol []int32

	memTree, cpuTree *capTree
	parts            []*partition // per column: ACTIVE instances per value, for spread-first plans; nil until used

	view     clusterView
	scratch  placeScratch
	victims  victimScratch
	scanOnly bool // tests and benchmarks: bypass the index
}

// NewCluster returns an empty cluster.
func NewCluster() *Cluster {
	c := &Cluster{colIndex: map[string]int32{}, groupIndex: map[string]GroupID{}}
	c.column(AttrAvailabilityZone)
	c.column(AttrInstanceType)
	c.view.c = c
	return c
}

func (c *Cluster) column(name string) int32 {
	if id, ok := c.colIndex[name]; ok {
		return id
	}
	id := int32(len(c.cols))
	col := &attrColumn{name: name, values: []string{""}, index: map[string]int32{"": 0},
		of: make([]int32, len(c.res))}
	c.cols = append(c.cols, col)
	c.colIndex[name] = id
	c.tracked = append(c.tracked, false)
	return id
}

// track starts maintaining per-group task counts per value of column col.
func (c *Cluster) track(col int32) {
	if c.tracked[col] {
		return
	}
	c.tracked[col] = true
	c.trackedCol = append(c.trackedCol, col)
	for g := range c.groupOn {
		c.rebuildGroupVal(GroupID(g), col)
	}
}

func (c *Cluster) rebuildGroupVal(g GroupID, col int32) {
	for len(c.groupVal[g]) <= int(col) {
		c.groupVal[g] = append(c.groupVal[g], nil)
	}
	counts := make([]int32, len(c.cols[col].values))
	for i, n := range c.groupOn[g].all() {
		counts[c.cols[col].of[i]] += n
	}
	c.groupVal[g][col] = counts
}

// Len returns the number of InstanceIDs handed out, including deregistered
// ones.
func (c *Cluster) Len() int { return len(c.res) }

// Group interns a task group name and returns its ID. The same name always
// returns the same ID.
func (c *Cluster) Group(name string) GroupID {
	if g, ok := c.groupIndex[name]; ok {
		return g
	}
	g := GroupID(len(c.groupNames))
	c.groupNames = append(c.groupNames, name)
	c.groupIndex[name] = g
	c.groupOn = append(c.groupOn, groupCounts{})
	c.groupVal = append(c.groupVal, nil)
	return g
}

// GroupName returns the name Group interned as g.
func (c *Cluster) GroupName(g GroupID) string { return c.groupNames[g] }

// groupCounts returns the per-instance counts of group g, after building
// its per-value counts of the tracked columns on first use (track builds
// them for the groups that exist when it starts tracking a column).
func (c *Cluster) groupCounts(g GroupID) *groupCounts {
	if c.groupVal[g] == nil {
		for _, col := range c.trackedCol {
			c.rebuildGroupVal(g, col)
		}
	}
	return &c.groupOn[g]
}

// valueCount returns the tasks of group g on instances whose column col has
// value v. The column must be tracked.
func (c *Cluster) valueCount(g GroupID, col, v int32) int32 {
	if int(col) >= len(c.groupVal[g]) {
		return 0
	}
	counts := c.groupVal[g][col]
	if int(v) >= len(counts) {
		return 0
	}
	return counts[v]
}

// Register adds a container instance in status ACTIVE and returns its ID.
func (c *Cluster) Register(in Instance) (InstanceID, error) {
	if err := in.Validate(); err != nil {
		return NoInstance, err
	}
	id := int32(len(c.res))
	c.res = append(c.res, resources{cpu: int32(in.CPU), mem: int32(in.MemoryMiB), eni: int32(in.ENIs),
		capCPU: int32(in.CPU), capMem: int32(in.MemoryMiB), capENI: int32(in.ENIs), status: Active})
	c.ec2ID = append(c.ec2ID, in.EC2InstanceID)
	c.registeredAt = append(c.registeredAt, in.RegisteredAt)
	c.ports = append(c.ports, slices.Clone(in.ReservedPorts))
	for _, col := range c.cols {
		col.of = append(col.of, 0)
	}
	c.cols[colZone].of[id] = c.cols[colZone].intern(in.Zone)
	c.cols[colInstanceType].of[id] = c.cols[colInstanceType].intern(in.InstanceType)
	for _, name := range sortedKeys(in.Attributes) {
		col := c.cols[c.column(name)]
		col.of[id] = col.intern(in.Attributes[name])
	}
	c.activePos = append(c.activePos, -1)
	c.activeSet = c.activeSet.grow(len(c.res))
	for _, t := range []*capTree{c.memTree, c.cpuTree} {
		if t != nil {
			t.growSlots(len(c.res))
		}
	}
	c.activate(id)
	return InstanceID(id), nil
}

func (c *Cluster) check(id InstanceID) error {
	if id < 0 || int(id) >= len(c.res) || c.res[id].status == removed {
		return fielderr.New(ErrUnknownInstance, "InstanceID", id, "is not a registered instance")
	}
	return nil
}

func (c *Cluster) activate(i int32) {
	c.res[i].status = Active
	c.activePos[i] = int32(len(c.activeIDs))
	c.activeIDs = append(c.activeIDs, i)
	c.activeSet.set(i, true)
	c.setActive(i, 1)
	for col, pt := range c.parts {
		if pt != nil {
			c.partAdd(int32(col), i)
		}
	}
	if t := c.memTree; t != nil {
		if !t.fits(c.res[i].capMem) {
			c.memTree = c.buildTree(false, c.activeIDs)
		} else {
			t.insert(i, c.res[i].mem, c.res[i].cpu)
		}
	}
	if t := c.cpuTree; t != nil {
		if !t.fits(c.res[i].capCPU) {
			c.cpuTree = c.buildTree(true, c.activeIDs)
		} else {
			t.insert(i, c.res[i].cpu, c.res[i].mem)
		}
	}
}

func (c *Cluster) deactivate(i int32, s Status) {
	c.res[i].status = s
	p := c.activePos[i]
	last := c.activeIDs[len(c.activeIDs)-1]
	c.activeIDs[p] = last
	c.activePos[last] = p
	c.activeIDs = c.activeIDs[:len(c.activeIDs)-1]
	c.activePos[i] = -1
	c.activeSet.set(i, false)
	c.setActive(i, -1)
	for col, pt := range c.parts {
		if pt != nil {
			c.partRemove(int32(col), i)
		}
	}
	if c.memTree != nil {
		c.memTree.remove(i)
	}
	if c.cpuTree != nil {
		c.cpuTree.remove(i)
	}
}

// SetStatus moves an instance between ACTIVE and DRAINING.
func (c *Cluster) SetStatus(id InstanceID, s Status) error {
	if err := c.check(id); err != nil {
		return err
	}
	if s != Active && s != Draining {
		return fielderr.New(ErrInvalidInstance, "Status", uint8(s), "must be Active or Draining")
	}
	i := int32(id)
	switch {
	case c.res[i].status == s:
	case s == Active:
		c.activate(i)
	default:
		c.deactivate(i, s)
	}
	return nil
}

// Deregister removes an instance. Tasks still on it stop counting (for
// spread, distinctInstance and task:group) at once; the caller stops them.
func (c *Cluster) Deregister(id InstanceID) error {
	if err := c.check(id); err != nil {
		return err
	}
	i := int32(id)
	if c.res[i].status == Active {
		c.deactivate(i, removed)
	}
	c.res[i].status = removed
	for g := range c.groupOn {
		on := &c.groupOn[g]
		k := on.at(i)
		if k == 0 {
			continue
		}
		for _, col := range c.trackedCol {
			c.groupVal[g][col][c.cols[col].of[i]] -= k
		}
		if g < len(c.gidx) && c.gidx[g] != nil {
			c.recount(GroupID(g), c.gidx[g], i, k, 0)
		}
		on.add(i, -k)
	}
	c.res[i].running = 0
	return nil
}

// SetAttribute sets (or, with value "", removes) a custom or built-in
// attribute of an instance, as ECS PutAttributes and DeleteAttributes do.
// The zone and instance type cannot change; names and values follow ECS's
// rules (see MaxAttributeLength).
func (c *Cluster) SetAttribute(id InstanceID, name, value string) error {
	if err := c.check(id); err != nil {
		return err
	}
	l := fielderr.NewList(ErrInvalidInstance)
	if name == AttrAvailabilityZone || name == AttrInstanceType {
		l.Add("Attributes", name, "cannot change after registration")
	} else {
		checkAttribute(l, "Attributes", name, value, true)
	}
	if err := l.Err(); err != nil {
		return err
	}
	i := int32(id)
	colID := c.column(name)
	col := c.cols[colID]
	old := col.of[i]
	nv := col.intern(value)
	if c.tracked[colID] {
		for g := range c.groupOn {
			if k := c.groupOn[g].at(i); k != 0 {
				vals := c.groupVal[g][colID]
				for len(vals) < len(col.values) {
					vals = append(vals, 0)
				}
				vals[old] -= k
				vals[nv] += k
				c.groupVal[g][colID] = vals
			}
		}
	}
	partitioned := int(colID) < len(c.parts) && c.parts[colID] != nil && c.res[i].status == Active
	if partitioned {
		c.partRemove(colID, i)
	}
	col.of[i] = nv
	if partitioned {
		c.partAdd(colID, i)
	}
	c.attrGen++
	return nil
}

// InstanceState is a snapshot of one instance's bookkeeping.
type InstanceState struct {
	EC2InstanceID                   string
	Status                          Status
	FreeCPU, FreeMemoryMiB, FreeENI int // free resources (CPU units, MiB, ENIs)
	RunningTasks                    int // tasks placed and not released
	ReservedPorts                   int // reserved host ports, at most MaxReservedPorts
}

// State returns a snapshot of an instance.
func (c *Cluster) State(id InstanceID) (InstanceState, error) {
	if err := c.check(id); err != nil {
		return InstanceState{}, err
	}
	return InstanceState{EC2InstanceID: c.ec2ID[id], Status: c.res[id].status,
		FreeCPU: int(c.res[id].cpu), FreeMemoryMiB: int(c.res[id].mem), FreeENI: int(c.res[id].eni),
		RunningTasks: int(c.res[id].running), ReservedPorts: len(c.ports[id])}, nil
}

// Attribute returns an instance's attribute value and whether it has it.
func (c *Cluster) Attribute(id InstanceID, name string) (string, bool) {
	if c.check(id) != nil {
		return "", false
	}
	col, ok := c.colIndex[name]
	if !ok {
		return "", false
	}
	v := c.cols[col].of[id]
	return c.cols[col].values[v], v != 0
}

// TasksOf returns how many tasks of group g run on an instance.
func (c *Cluster) TasksOf(id InstanceID, g GroupID) int {
	return int(c.groupOn[g].at(int32(id)))
}

// buildTree indexes the given ACTIVE instances.
func (c *Cluster) buildTree(keyIsCPU bool, members []int32) *capTree {
	var maxKey int32 = 1
	for k := range c.res {
		if keyIsCPU {
			maxKey = max(maxKey, c.res[k].capCPU)
		} else {
			maxKey = max(maxKey, c.res[k].capMem)
		}
	}
	t := newCapTree(keyIsCPU, maxKey, len(c.res))
	for _, i := range members {
		if keyIsCPU {
			t.insert(i, c.res[i].cpu, c.res[i].mem)
		} else {
			t.insert(i, c.res[i].mem, c.res[i].cpu)
		}
	}
	return t
}

// clusterView lets an Expression look at one instance of the cluster.
type clusterView struct {
	c      *Cluster
	i      int32
	groups []string
}

func (v *clusterView) Attribute(name string) (string, bool) {
	col, ok := v.c.colIndex[name]
	if !ok {
		return "", false
	}
	id := v.c.cols[col].of[v.i]
	return v.c.cols[col].values[id], id != 0
}
func (v *clusterView) EC2InstanceID() string   { return v.c.ec2ID[v.i] }
func (v *clusterView) RegisteredAt() time.Time { return v.c.registeredAt[v.i] }
func (v *clusterView) RunningTasksCount() int  { return int(v.c.res[v.i].running) }
func (v *clusterView) TaskGroups() []string {
	v.groups = v.groups[:0]
	for g := range v.c.groupOn {
		if v.c.groupOn[g].at(v.i) > 0 {
			v.groups = append(v.groups, v.c.groupNames[g])
		}
	}
	return v.groups
}

package sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ecssim/ecssim/internal/fielderr"
)

// Task definition volumes and mount points, as RegisterTaskDefinition
// takes them
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specify-efs-config.html,
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_EFSVolumeConfiguration.html).
// Only Amazon EFS volumes are simulated; a volume without an
// EFSVolumeConfiguration is a bind mount, which costs nothing here.

// Volume is one entry of a task definition's volumes.
type Volume struct {
	// Name is 1 to 255 letters, digits, hyphens and underscores, unique in
	// the task definition; containers' MountPoints name it.
	Name string
	// EFSVolumeConfiguration makes the volume an Amazon EFS file system;
	// nil means a bind mount.
	EFSVolumeConfiguration *EFSVolumeConfiguration
}

// EFSVolumeConfiguration is efsVolumeConfiguration.
type EFSVolumeConfiguration struct {
	// FileSystemID is fileSystemId, required: the file system's ID
	// (FileSystemConfig.ID). A task whose file system does not exist fails
	// to mount it, as in ECS, which does not check at registration.
	FileSystemID string
	// RootDirectory is the directory mounted as the volume's root; empty
	// or "/" is the file system's root. It must be empty or "/" with an
	// access point, whose own path is used.
	RootDirectory string
	// TransitEncryption is ENABLED or DISABLED; empty means DISABLED. It
	// must be ENABLED with IAM authorization or an access point.
	TransitEncryption string
	// TransitEncryptionPort is the port of the encrypted connection,
	// 0 (the mount helper chooses) or 1 to 65535.
	TransitEncryptionPort int
	// AuthorizationConfig is authorizationConfig; nil means none.
	AuthorizationConfig *EFSAuthorizationConfig
}

// EFSAuthorizationConfig is efsVolumeConfiguration.authorizationConfig.
type EFSAuthorizationConfig struct {
	// AccessPointID is accessPointId, "fsap-" and 8 to 40 hex digits, or
	// empty for none.
	AccessPointID string
	// IAM is ENABLED (the mount uses the task IAM role) or DISABLED;
	// empty means DISABLED.
	IAM string
}

// MountPoint is one of a container's mountPoints.
type MountPoint struct {
	// SourceVolume names a volume of the task definition; required.
	SourceVolume string
	// ContainerPath is where the volume appears in the container; required.
	ContainerPath string
	// ReadOnly mounts the volume read-only.
	ReadOnly bool
}

// The values of EFSVolumeConfiguration.TransitEncryption and
// EFSAuthorizationConfig.IAM.
const (
	EFSEnabled  = "ENABLED"
	EFSDisabled = "DISABLED"
)

// MinEFSPlatformVersion is the oldest Fargate Linux platform version that
// mounts Amazon EFS volumes
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/efs-volumes.html).
const MinEFSPlatformVersion = "1.4.0"

// validateVolumes adds to l what is wrong with in's volumes and the
// containers' mount points, as ECS checks them.
func validateVolumes(l *fielderr.List, in *TaskDefinitionInput) {
	const at = "TaskDefinitionInput."
	names := map[string]bool{}
	for i, v := range in.Volumes {
		f := fmt.Sprintf("%sVolumes[%d]", at, i)
		switch {
		case !validName(v.Name):
			l.Add(f+".Name", v.Name, "must be 1 to 255 letters, digits, hyphens or underscores")
		case names[v.Name]:
			l.Add(f+".Name", v.Name, "is used by another volume; names must be unique")
		}
		names[v.Name] = true
		e := v.EFSVolumeConfiguration
		if e == nil {
			continue
		}
		f += ".EFSVolumeConfiguration"
		if !validFileSystemID(e.FileSystemID) {
			l.Add(f+".FileSystemID", e.FileSystemID, "is required: fs- followed by 8 to 40 lowercase hex digits")
		}
		if !onOff(e.TransitEncryption) {
			l.Add(f+".TransitEncryption", e.TransitEncryption, "must be ENABLED or DISABLED (empty means DISABLED)")
		}
		if p := e.TransitEncryptionPort; p < 0 || p > 65535 {
			l.Add(f+".TransitEncryptionPort", p, "must be 0 (the mount helper chooses) or 1 to 65535")
		}
		if len(e.RootDirectory) > 4096 || e.RootDirectory != "" && !strings.HasPrefix(e.RootDirectory, "/") {
			l.Add(f+".RootDirectory", e.RootDirectory, "must be empty or an absolute path of at most 4096 characters")
		}
		a := e.AuthorizationConfig
		if a == nil {
			continue
		}
		if a.AccessPointID != "" && !validHexID(a.AccessPointID, "fsap-") {
			l.Add(f+".AuthorizationConfig.AccessPointID", a.AccessPointID, "must be empty or fsap- followed by 8 to 40 lowercase hex digits")
		}
		if !onOff(a.IAM) {
			l.Add(f+".AuthorizationConfig.IAM", a.IAM, "must be ENABLED or DISABLED (empty means DISABLED)")
		}
		if a.AccessPointID != "" && e.RootDirectory != "" && e.RootDirectory != "/" {
			l.Add(f+".RootDirectory", e.RootDirectory, "must be omitted or \"/\" with an access point: the access point's path is the root")
		}
		if (a.AccessPointID != "" || a.IAM == EFSEnabled) && e.TransitEncryption != EFSEnabled {
			l.Add(f+".TransitEncryption", e.TransitEncryption, "must be ENABLED with IAM authorization or an access point")
		}
	}
	for i := range in.Containers {
		for j, mp := range in.Containers[i].MountPoints {
			f := fmt.Sprintf("%sContainers[%d].MountPoints[%d]", at, i, j)
			if !names[mp.SourceVolume] {
				l.Add(f+".SourceVolume", mp.SourceVolume, "must name a volume of the task definition")
			}
			if mp.ContainerPath == "" || len(mp.ContainerPath) > 4096 {
				l.Add(f+".ContainerPath", mp.ContainerPath, "is required, at most 4096 characters")
			}
		}
	}
}

func onOff(s string) bool { return s == "" || s == EFSEnabled || s == EFSDisabled }

// validFileSystemID reports whether id is an EFS file system ID as the
// EFS API spells it: "fs-" and 8 to 40 lowercase hex digits.
func validFileSystemID(id string) bool { return validHexID(id, "fs-") }

func validHexID(id, prefix string) bool {
	hex, ok := strings.CutPrefix(id, prefix)
	if !ok || len(hex) < 8 || len(hex) > 40 {
		return false
	}
	for _, r := range hex {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}

// volumesSize is the registered size (registeredSize) of in's volumes and
// mount points.
func volumesSize(in *TaskDefinitionInput) int {
	n := 0
	for _, v := range in.Volumes {
		n += 64 + len(v.Name)
		if e := v.EFSVolumeConfiguration; e != nil {
			n += 128 + len(e.FileSystemID) + len(e.RootDirectory)
			if a := e.AuthorizationConfig; a != nil {
				n += 64 + len(a.AccessPointID)
			}
		}
		if n > MaxTaskDefinitionBytes {
			return n
		}
	}
	for _, c := range in.Containers {
		for _, mp := range c.MountPoints {
			n += 64 + len(mp.SourceVolume) + len(mp.ContainerPath)
		}
		if n > MaxTaskDefinitionBytes {
			return n
		}
	}
	return n
}

// cloneVolumes gives a registered definition its own copies of in's
// volumes and mount points.
func cloneVolumes(in *TaskDefinitionInput) {
	in.Volumes = slices.Clone(in.Volumes)
	for i := range in.Volumes {
		if e := in.Volumes[i].EFSVolumeConfiguration; e != nil {
			c := *e
			if a := c.AuthorizationConfig; a != nil {
				ac := *a
				c.AuthorizationConfig = &ac
			}
			in.Volumes[i].EFSVolumeConfiguration = &c
		}
	}
	for i := range in.Containers {
		in.Containers[i].MountPoints = slices.Clone(in.Containers[i].MountPoints)
	}
}

// efsVolumes returns d's Amazon EFS volumes, in order.
func (d *TaskDefinition) efsVolumes() []Volume {
	var out []Volume
	for _, v := range d.in.Volumes {
		if v.EFSVolumeConfiguration != nil {
			out = append(out, v)
		}
	}
	return out
}

// checkEFSPlatform adds to l the problem of running def on Fargate
// platform version pv: EFS volumes need MinEFSPlatformVersion or later.
// Empty and "LATEST" are the latest version, which is.
func checkEFSPlatform(l *fielderr.List, field, pv string, def *TaskDefinition) {
	if def == nil || !def.hasEFS {
		return
	}
	if pv == "" || pv == "LATEST" {
		return
	}
	if !versionAtLeast(pv, MinEFSPlatformVersion) {
		l.Addf(field, pv, "must be %s or later (or LATEST): task definition %s mounts Amazon EFS volumes", MinEFSPlatformVersion, def)
	}
}

// checkPlatformVersion adds to l what is wrong with a Fargate platform
// version: empty, LATEST, or three dot-separated numbers.
func checkPlatformVersion(l *fielderr.List, field, pv string) {
	if pv == "" || pv == "LATEST" {
		return
	}
	if _, ok := parseVersion(pv); !ok {
		l.Add(field, pv, "must be LATEST or a platform version such as 1.4.0 (empty means LATEST)")
	}
}

func parseVersion(s string) ([3]int, bool) {
	var v [3]int
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return v, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 1<<20 {
			return v, false
		}
		v[i] = n
	}
	return v, true
}

// versionAtLeast reports whether version a is b or later; a malformed a
// is not.
func versionAtLeast(a, b string) bool {
	va, ok := parseVersion(a)
	vb, _ := parseVersion(b)
	return ok && slices.Compare(va[:], vb[:]) >= 0
}

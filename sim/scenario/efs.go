package scenario

import (
	"github.com/ecssim/ecssim/metrics"
	"github.com/ecssim/ecssim/sim"
)

// FileSystem is an Amazon EFS file system; it maps to
// sim.FileSystemConfig. Field names follow the EFS API where it has them
// (CreateFileSystem, CreateMountTarget).
type FileSystem struct {
	// FileSystemID is the ID volumes name: "fs-" and 8 to 40 hex digits.
	FileSystemID string `json:"fileSystemId"`
	// ThroughputMode is "elastic" (the default), "bursting" or
	// "provisioned".
	ThroughputMode sim.ThroughputMode `json:"throughputMode,omitempty"`
	// ProvisionedThroughputInMibps is the Provisioned throughput, MiB/s.
	ProvisionedThroughputInMibps float64 `json:"provisionedThroughputInMibps,omitempty"`
	// SizeInGiB is the data stored in the Standard class, GiB (the API's
	// SizeInBytes.ValueInStandard).
	SizeInGiB float64 `json:"sizeInGiB,omitempty"`
	// MountTargets are the zones with a mount target; empty means every
	// zone.
	MountTargets []MountTarget `json:"mountTargets,omitempty"`
	// StartCreditsTiB is the burst credit balance at the start, TiB; zero
	// means a new file system's 2.1 TiB.
	StartCreditsTiB float64 `json:"startCreditsTiB,omitempty"`
}

// MountTarget is one mount target of a file system.
type MountTarget struct {
	AvailabilityZoneName string `json:"availabilityZoneName"`
}

// Volume maps to sim.Volume.
type Volume struct {
	Name                   string                  `json:"name"`
	EFSVolumeConfiguration *EFSVolumeConfiguration `json:"efsVolumeConfiguration,omitempty"`
}

// EFSVolumeConfiguration maps to sim.EFSVolumeConfiguration.
type EFSVolumeConfiguration struct {
	FileSystemID          string                  `json:"fileSystemId"`
	RootDirectory         string                  `json:"rootDirectory,omitempty"`
	TransitEncryption     string                  `json:"transitEncryption,omitempty"`
	TransitEncryptionPort int                     `json:"transitEncryptionPort,omitempty"`
	AuthorizationConfig   *EFSAuthorizationConfig `json:"authorizationConfig,omitempty"`
}

// EFSAuthorizationConfig maps to sim.EFSAuthorizationConfig.
type EFSAuthorizationConfig struct {
	AccessPointID string `json:"accessPointId,omitempty"`
	IAM           string `json:"iam,omitempty"`
}

// MountPoint maps to sim.MountPoint.
type MountPoint struct {
	SourceVolume  string `json:"sourceVolume"`
	ContainerPath string `json:"containerPath"`
	ReadOnly      bool   `json:"readOnly,omitempty"`
}

// RequestIO maps to sim.RequestIO: the volume a request's I/O goes to and
// the mean bytes it reads and writes.
type RequestIO struct {
	Volume         string  `json:"volume"`
	MeanReadBytes  float64 `json:"meanReadBytes,omitempty"`
	MeanWriteBytes float64 `json:"meanWriteBytes,omitempty"`
}

func (b *builder) fileSystem(fs FileSystem, store *metrics.Store) error {
	cfg := sim.FileSystemConfig{
		ID: fs.FileSystemID, ThroughputMode: fs.ThroughputMode, ProvisionedMiBps: fs.ProvisionedThroughputInMibps,
		StoredGiB: fs.SizeInGiB, StartCreditsTiB: fs.StartCreditsTiB, Metrics: store,
	}
	for _, mt := range fs.MountTargets {
		cfg.MountTargetZones = append(cfg.MountTargetZones, mt.AvailabilityZoneName)
	}
	_, err := b.world.CreateFileSystem(cfg)
	return err
}

func volumes(vs []Volume) []sim.Volume {
	var out []sim.Volume
	for _, v := range vs {
		sv := sim.Volume{Name: v.Name}
		if e := v.EFSVolumeConfiguration; e != nil {
			sv.EFSVolumeConfiguration = &sim.EFSVolumeConfiguration{FileSystemID: e.FileSystemID, RootDirectory: e.RootDirectory,
				TransitEncryption: e.TransitEncryption, TransitEncryptionPort: e.TransitEncryptionPort}
			if a := e.AuthorizationConfig; a != nil {
				sv.EFSVolumeConfiguration.AuthorizationConfig = &sim.EFSAuthorizationConfig{AccessPointID: a.AccessPointID, IAM: a.IAM}
			}
		}
		out = append(out, sv)
	}
	return out
}

func mountPoints(mps []MountPoint) []sim.MountPoint {
	var out []sim.MountPoint
	for _, mp := range mps {
		out = append(out, sim.MountPoint{SourceVolume: mp.SourceVolume, ContainerPath: mp.ContainerPath, ReadOnly: mp.ReadOnly})
	}
	return out
}

func requestIO(io *RequestIO) *sim.RequestIO {
	if io == nil {
		return nil
	}
	return &sim.RequestIO{Volume: io.Volume, MeanReadBytes: io.MeanReadBytes, MeanWriteBytes: io.MeanWriteBytes}
}

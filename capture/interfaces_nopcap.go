//go:build !cgo || nopcap

package capture

func listInterfaces() ([]InterfaceInfo, error) { return systemInterfaces() }

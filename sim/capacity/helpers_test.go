package capacity

import "strings"

func containsLine(err error, want string) bool {
	return err != nil && strings.Contains(err.Error(), want)
}

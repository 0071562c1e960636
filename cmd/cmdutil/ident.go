package cmdutil

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/connectctl/connectctl/internal/validate"
)

// IgnoreChecksumFlag is the one override for a wrong ICCID Luhn digit or EID
// check digits on commands that change state.
const IgnoreChecksumFlag = "ignore-checksum"

// AddIgnoreChecksumFlag binds --ignore-checksum to target.
func AddIgnoreChecksumFlag(cmd *cobra.Command, target *bool) {
	cmd.Flags().BoolVar(target, IgnoreChecksumFlag, false,
		"Send an ICCID or EID even though its check digit is wrong")
}

// ICCIDArg checks an ICCID given by the user, as connect-api.md says: a bad
// format is always refused; a wrong Luhn digit is refused by commands that
// change state (unless ignoreChecksum) and only warned about by read-only
// ones. what names the argument or flag in messages ("ICCID", "--iccid").
func ICCIDArg(errOut io.Writer, what, value string, changesState, ignoreChecksum bool) (string, error) {
	iccid, err := validate.ICCID(value)
	switch {
	case err == nil:
		return iccid, nil
	case errors.Is(err, validate.ErrChecksum) && !changesState:
		fmt.Fprintf(errOut, "warning: %s: %v\n", what, err)
		return iccid, nil
	case errors.Is(err, validate.ErrChecksum) && ignoreChecksum:
		fmt.Fprintf(errOut, "warning: %s: %v; sending it anyway (--%s)\n", what, err, IgnoreChecksumFlag)
		return iccid, nil
	case errors.Is(err, validate.ErrChecksum):
		return "", FlagErrorf("%s: %v; if it is right, add --%s", what, err, IgnoreChecksumFlag)
	default:
		return "", FlagErrorf("%s: %v", what, err)
	}
}

// EIDArg checks an EID: a wrong EID binds a profile to the wrong device, so a
// bad check is refused unless ignoreChecksum.
func EIDArg(errOut io.Writer, what, value string, ignoreChecksum bool) (string, error) {
	eid, err := validate.EID(value)
	switch {
	case err == nil:
		return eid, nil
	case errors.Is(err, validate.ErrChecksum) && ignoreChecksum:
		fmt.Fprintf(errOut, "warning: %s: %v; sending it anyway (--%s)\n", what, err, IgnoreChecksumFlag)
		return eid, nil
	case errors.Is(err, validate.ErrChecksum):
		return "", FlagErrorf("%s: %v; if it is right, add --%s", what, err, IgnoreChecksumFlag)
	default:
		return "", FlagErrorf("%s: %v", what, err)
	}
}

module github.com/olekukonko/tablewriter

go 1.21

require github.com/mattn/go-runewidth v0.0.9

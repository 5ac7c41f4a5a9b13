package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
	"io"

	"github.com/ecssim/ecssim/internal/fielderr"
	"github.com/ecssim/ecssim/tidy"
)

// Page is a self-contained HTML report: a title, the run's settings, SVG
// charts inline and tidy tables, in one file with nothing to fetch.
type Page struct {
	Title string
	// Settings are name and value pairs (seed, duration, trace hash, ...),
	// shown in order.
	Settings [][2]string
	Charts   []Figure
	Tables   []tidy.Named
}

// Figure is one chart of a Page: an SVG document (as Run or Sweep write
// it with the SVG format) and its caption.
type Figure struct {
	Caption string
	SVG     []byte
}

var page = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font-family:sans-serif;margin:2em;max-width:60em}
table{border-collapse:collapse;font-size:90%;margin-bottom:2em}
th,td{border:1px solid #ccc;padding:.2em .5em}td.n{text-align:right}
figure{margin:0 0 2em 0}figcaption{font-style:italic}
</style></head><body>
<h1>{{.Title}}</h1>
{{if .Settings}}<table>{{range .Settings}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>{{end}}
{{range .Figures}}<figure>{{.SVG}}<figcaption>{{.Caption}}</figcaption></figure>
{{end}}{{range .Tables}}<h2>{{.Name}}</h2>
<table><tr>{{range .Columns}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td{{if .Numeric}} class="n"{{end}}>{{.Text}}</td>{{end}}</tr>
{{end}}</table>
{{end}}</body></html>
`))

// WriteHTML writes the page. Each chart must be an SVG document, and is
// checked to be well-formed XML with an svg root; it goes into the page as
// it is, from its svg element on, so pass charts that Run and Sweep drew,
// not SVG from elsewhere (which could carry scripts). Text and tables are
// escaped.
func (p *Page) WriteHTML(out io.Writer) error {
	type cell struct {
		Text    string
		Numeric bool
	}
	type table struct {
		Name    string
		Columns []string
		Rows    [][]cell
	}
	type figure struct {
		Caption string
		SVG     template.HTML
	}
	data := struct {
		Title    string
		Settings [][2]string
		Figures  []figure
		Tables   []table
	}{Title: p.Title, Settings: p.Settings}
	l := fielderr.NewList(ErrInvalid)
	for i, f := range p.Charts {
		svg, err := svgBody(f.SVG)
		if err != nil {
			l.Add(fmt.Sprintf("Page.Charts[%d].SVG", i), err, "must be an SVG document")
			continue
		}
		data.Figures = append(data.Figures, figure{Caption: f.Caption, SVG: template.HTML(svg)}) // checked above
	}
	if err := l.Err(); err != nil {
		return err
	}
	for _, nt := range p.Tables {
		t := table{Name: nt.Name, Columns: nt.Table.Columns}
		for _, row := range nt.Table.Rows {
			var cells []cell
			for _, v := range row {
				cells = append(cells, cell{Text: tidy.Cell(v), Numeric: tidy.Numeric(v)})
			}
			t.Rows = append(t.Rows, cells)
		}
		data.Tables = append(data.Tables, t)
	}
	return page.Execute(out, data)
}

// svgBody checks that data is well-formed XML whose root is an svg
// element, and returns it from that root on.
func svgBody(data []byte) ([]byte, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	start := int64(-1)
	for {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok && start < 0 {
			if se.Name.Local != "svg" {
				return nil, fmt.Errorf("root element %q", se.Name.Local)
			}
			start = off
		}
	}
	if start < 0 {
		return nil, fmt.Errorf("no svg element")
	}
	return data[start:], nil
}

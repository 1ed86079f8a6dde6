package qrsvg

// AlignmentCentres lets the package's black-box tests tell alignment
// patterns (typed as data by the library) from data.
var AlignmentCentres = alignmentCentres

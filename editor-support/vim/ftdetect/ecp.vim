" policylang: .ecp files are export-control policies
autocmd BufRead,BufNewFile *.ecp setfiletype ecp

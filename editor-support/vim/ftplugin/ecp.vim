" policylang: comments, indentation and formatting of .ecp files
if exists("b:did_ftplugin")
  finish
endif
let b:did_ftplugin = 1

setlocal commentstring=#\ %s
setlocal comments=:#
setlocal shiftwidth=2 softtabstop=2 expandtab
" `gq` on the whole file (or :%!policylang fmt -) formats it with the formatter
setlocal formatprg=policylang\ fmt\ -

let b:undo_ftplugin = "setlocal commentstring< comments< shiftwidth< softtabstop< expandtab< formatprg<"

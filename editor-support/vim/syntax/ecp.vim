" Vim syntax file
" Language:    policylang (.ecp), Chinese export-control law as code
" Maintainer:  the policylang authors
" Install:     copy editor-support/vim/{syntax,ftdetect,ftplugin} into ~/.vim (or
"              ~/.config/nvim), or add editor-support/vim to 'runtimepath'.

if exists("b:current_syntax")
  finish
endif

syn case match

syn match   ecpComment      "#.*$" contains=@Spell,ecpTodo
syn keyword ecpTodo         contained TODO FIXME XXX NOTE
syn region  ecpString       start=+"""+ end=+"""+ contains=@Spell
syn region  ecpString       start=+"\("""\)\@!+ skip=+\\.+ end=+"+ end=+$+ contains=ecpEscape,@Spell
syn match   ecpEscape       contained "\\."

syn keyword ecpDeclaration  import def enum record entities invalid announcement invariant test nextgroup=ecpDeclName skipwhite
syn match   ecpDeclName     contained "[A-Za-z_][A-Za-z0-9_]*\|[A-Z]\+-[0-9]\{4}-U\=[0-9]\+"
syn match   ecpClause       "\<clause\>\s\+[0-9A-Za-z]\+\(([0-9A-Za-z]\+)\)*\(\.[0-9A-Za-z]\+\(([0-9A-Za-z]\+)\)*\)*" contains=ecpClauseWord
syn keyword ecpClauseWord   contained clause
syn keyword ecpProperty     title authority issued effective until source text zh en refines exception to
syn keyword ecpProperty     controls classify as suspend repeal from through at because
syn keyword ecpProperty     assume expect outcome under applies most least case null
syn keyword ecpProperty     url provenance disputed exactly checked placeholder accept with
syn keyword ecpConditional  when if then else
syn keyword ecpOperator     and or not in is given within any all for
syn match   ecpEffect       "\<\(prohibit\|deny\s\+in\s\+principle\|review\s\+case\s\+by\s\+case\|require\s\+licen[cs]e\|exempt\|exclude\s\+from\s\+scope\)\>"
syn match   ecpObligation   "\<\(report\|compliance\s\+notice\|customs\s\+remark\|declare\s\+destination\|show\s\+licen[cs]e\|inquire\|chinese\s\+documents\)\>"
syn match   ecpDue          "\<working\s\+days\>\|\<days\>"
syn keyword ecpType         bool decimal text date code quantity list set of
syn keyword ecpBoolean      true false
syn match   ecpAggregate    "\<\(sum\|count\|min\|max\)\ze\s*("
" numbers first: a later match (a date, a code) wins where both start
syn match   ecpNumber       "\<[0-9]\+\(\.[0-9]\+\)\=\>" nextgroup=ecpUnit skipwhite
syn match   ecpUnit         contained "\(\<\(and\|or\|not\|in\|is\|within\|then\|else\|for\|if\|when\)\>\)\@![A-Za-zµμΩ℃°%‰Δ][A-Za-z0-9µμΩ℃°%‰³²/·^]*"
syn match   ecpAnnouncement "\<[A-Z]\+-[0-9]\{4}-U\=[0-9]\+\>"
syn match   ecpDate         "\<[0-9]\{4}-[0-9]\{2}-[0-9]\{2}\>"
syn match   ecpCode         "\<[0-9][A-E][0-9]\{3}\(\.[a-z0-9]\+\)*\>"
syn match   ecpCountry      "\<[A-Z]\{2}\>"
syn match   ecpTypeName     "\<[A-Z][a-z][A-Za-z0-9_]*\>"
syn match   ecpOperatorSym  "==\|!=\|<=\|>=\|<\|>\|+\|\*\|/"

hi def link ecpComment      Comment
hi def link ecpTodo         Todo
hi def link ecpString       String
hi def link ecpEscape       SpecialChar
hi def link ecpDeclaration  Keyword
hi def link ecpDeclName     Function
hi def link ecpClause       Title
hi def link ecpClauseWord   Keyword
hi def link ecpProperty     Statement
hi def link ecpConditional  Conditional
hi def link ecpOperator     Operator
hi def link ecpOperatorSym  Operator
hi def link ecpEffect       Exception
hi def link ecpObligation   Special
hi def link ecpDue          Special
hi def link ecpType         Type
hi def link ecpTypeName     Type
hi def link ecpBoolean      Boolean
hi def link ecpAggregate    Function
hi def link ecpAnnouncement Identifier
hi def link ecpDate         Constant
hi def link ecpCode         Constant
hi def link ecpNumber       Number
hi def link ecpUnit         Type
hi def link ecpCountry      Constant

let b:current_syntax = "ecp"

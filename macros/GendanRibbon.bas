Attribute VB_Name = "GendanRibbon"
' 跟单助手 (gendan_xl) ribbon callbacks.
'
' Every button of the 跟单助手 tab (customUI14.xml) calls GendanButton, which passes
' the button's tag to Python through xlwings' RunPython. The handlers live in
' gendan_xl/excel/buttons.py and act on the active workbook.
' Keep this module free of logic: everything else happens in Python.
Option Explicit

Public Sub GendanButton(control As IRibbonControl)
    RunPython "import gendan_xl.excel.buttons as b; b.run('" & control.Tag & "')"
End Sub

' Runs one ribbon handler by its tag, without the ribbon: ``gendan addin smoketest``
' calls it through Application.Run on a copy of the demo ledger. The handler's
' message boxes are written to a file beside that workbook instead of shown (an
' invisible Excel cannot show them), see gendan_xl/excel/smoke.py.
Public Sub GendanSmokeButton(tag As String)
    RunPython "import gendan_xl.excel.smoke as s; s.run_handler('" & tag & "')"
End Sub

' Writes a known value into D1 of the add-in's first sheet. Used by the tests to
' prove that a real client (LibreOffice) reads and runs this VBA project; the
' Chinese text checks that the code page (936) of the source survives.
Public Sub GendanSelfTest()
    ThisWorkbook.Worksheets(1).Range("D1").Value = "跟单助手 gendan_xl self-test OK"
End Sub

Attribute VB_Name = "GendanErrors"
' 跟单助手 (gendan_xl): real Excel error values for the cell functions.
'
' The Python functions return the text of an Excel error ("#N/A", "#VALUE!" ...)
' for a cell that has no answer; every GD_* wrapper (module xlwings_udfs, generated)
' passes its result through GendanErrors, which turns those texts into real error
' values, element by element for an array, so ISERROR, IFERROR and conditional
' formats see them. Any other value passes unchanged.
Option Explicit
Option Private Module

Public Function GendanErrors(ByVal result As Variant) As Variant
    Dim i As Long, j As Long
    If Not IsArray(result) Then
        GendanErrors = GendanCellError(result)
        Exit Function
    End If
    Select Case GendanDimensions(result)
        Case 1
            For i = LBound(result) To UBound(result)
                result(i) = GendanCellError(result(i))
            Next i
        Case 2
            For i = LBound(result, 1) To UBound(result, 1)
                For j = LBound(result, 2) To UBound(result, 2)
                    result(i, j) = GendanCellError(result(i, j))
                Next j
            Next i
    End Select
    GendanErrors = result
End Function

Public Function GendanCellError(ByVal value As Variant) As Variant
    If VarType(value) <> vbString Then
        GendanCellError = value
        Exit Function
    End If
    Select Case value
        Case "#NULL!": GendanCellError = CVErr(2000)
        Case "#DIV/0!": GendanCellError = CVErr(2007)
        Case "#VALUE!": GendanCellError = CVErr(2015)
        Case "#REF!": GendanCellError = CVErr(2023)
        Case "#NAME?": GendanCellError = CVErr(2029)
        Case "#NUM!": GendanCellError = CVErr(2036)
        Case "#N/A": GendanCellError = CVErr(2042)
        Case Else: GendanCellError = value
    End Select
End Function

Private Function GendanDimensions(ByRef values As Variant) As Long
    Dim n As Long, bound As Long
    On Error GoTo done
    Do
        bound = LBound(values, n + 1)
        n = n + 1
    Loop
done:
    GendanDimensions = n
End Function

' Checks the mapping without Python: writes into D2 of the add-in's first sheet
' whether a scalar error text, an array of them and plain text come back as error
' values ("TTFT|TF" when right). Used by the tests through LibreOffice.
Public Sub GendanErrorSelfTest()
    Dim cells(1 To 2, 1 To 1) As Variant, mapped As Variant, flags As String
    cells(1, 1) = "#N/A"
    cells(2, 1) = 12
    flags = Mid("FT", 1 - IsError(GendanErrors("#N/A")), 1)
    flags = flags & Mid("FT", 1 - IsError(GendanErrors("#VALUE!")), 1)
    flags = flags & Mid("FT", 1 - IsError(GendanErrors("已完成")), 1)
    flags = flags & Mid("FT", 1 - (GendanErrors(5) = 5), 1)
    mapped = GendanErrors(cells)
    flags = flags & "|" & Mid("FT", 1 - IsError(mapped(1, 1)), 1) & Mid("FT", 1 - IsError(mapped(2, 1)), 1)
    ThisWorkbook.Worksheets(1).Range("D2").Value = flags
End Sub

Function IMOVERAGE(edition, Optional peak_dau, Optional peak_groups)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMOVERAGE = XLPy.CallUDF("xlpricing.udf", "IMOVERAGE", Array(edition, peak_dau, peak_groups), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMOVERAGE = XLPy.CallUDF("xlpricing.udf", "IMOVERAGE", Array(edition, peak_dau, peak_groups))
        Exit Function
    #End If
failed:
    IMOVERAGE = Err.Description
End Function

Function IMPRICE(code, Optional edition)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMPRICE = XLPy.CallUDF("xlpricing.udf", "IMPRICE", Array(code, edition), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMPRICE = XLPy.CallUDF("xlpricing.udf", "IMPRICE", Array(code, edition))
        Exit Function
    #End If
failed:
    IMPRICE = Err.Description
End Function

Function IMQUOTE(edition, Optional peak_dau, Optional peak_groups, Optional addons, Optional months)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMQUOTE = XLPy.CallUDF("xlpricing.udf", "IMQUOTE", Array(edition, peak_dau, peak_groups, addons, months), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMQUOTE = XLPy.CallUDF("xlpricing.udf", "IMQUOTE", Array(edition, peak_dau, peak_groups, addons, months))
        Exit Function
    #End If
failed:
    IMQUOTE = Err.Description
End Function

Function IMQUOTE_LINES(edition, Optional peak_dau, Optional peak_groups, Optional addons, Optional months)
    #If App = "Microsoft Excel" Then
        If TypeOf Application.Caller Is Range Then On Error GoTo failed
        IMQUOTE_LINES = XLPy.CallUDF("xlpricing.udf", "IMQUOTE_LINES", Array(edition, peak_dau, peak_groups, addons, months), ThisWorkbook, Application.Caller)
        Exit Function
    #Else
        IMQUOTE_LINES = XLPy.CallUDF("xlpricing.udf", "IMQUOTE_LINES", Array(edition, peak_dau, peak_groups, addons, months))
        Exit Function
    #End If
failed:
    IMQUOTE_LINES = Err.Description
End Function

